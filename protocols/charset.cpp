#include "protocols/charset.hpp"
