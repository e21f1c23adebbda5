#include "protocols/qq_fonts.hpp"
