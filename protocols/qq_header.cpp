#include "protocols/qq_header.hpp"
