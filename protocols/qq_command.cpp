#include "protocols/qq_command.hpp"
