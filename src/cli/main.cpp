#include "cli/app.h"

int main(int argc, char** argv) { return isocourse::cli::Run(argc, argv); }
