// Breaks every layering rule check-layering.sh keeps: a CLI header, an
// install path outside the catalog, and printing from the library.
#include "CommandLine.h"
#include <cstdio>

const char *kDefault = "/usr/share/datasets/fashion-mnist";

void report() { std::printf("read\n"); }
