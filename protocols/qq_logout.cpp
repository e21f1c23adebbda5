#include "protocols/qq_logout.hpp"
