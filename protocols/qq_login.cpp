#include "protocols/qq_login.hpp"
