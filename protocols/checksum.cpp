#include "protocols/checksum.hpp"
