#ifndef FUSIO_AUTH_CCRYPT_SHIM_H
#define FUSIO_AUTH_CCRYPT_SHIM_H
#include <crypt.h>
#endif
