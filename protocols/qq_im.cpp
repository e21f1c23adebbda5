#include "protocols/qq_im.hpp"
