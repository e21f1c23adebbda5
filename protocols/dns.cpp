#include "protocols/dns.hpp"
