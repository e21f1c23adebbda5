#include "protocols/qq_status.hpp"
