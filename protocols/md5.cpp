#include "protocols/md5.hpp"
