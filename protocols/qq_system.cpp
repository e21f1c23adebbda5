#include "protocols/qq_system.hpp"
