#include "protocols/net_headers.hpp"
