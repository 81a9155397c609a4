// Compiles Boost.JSON's implementation once for the whole program.
#include <boost/json/src.hpp>
