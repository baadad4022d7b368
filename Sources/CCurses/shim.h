#ifndef CCURSES_SHIM_H
#define CCURSES_SHIM_H
#define NCURSES_WIDECHAR 1
#include <ncurses.h>
#endif
