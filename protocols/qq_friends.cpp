#include "protocols/qq_friends.hpp"
