#include "protocols/qq_keepalive.hpp"
