#include "protocols/qq_tcp_framing.hpp"
