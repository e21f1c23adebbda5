#include "protocols/text_corpus.hpp"
