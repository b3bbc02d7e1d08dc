#ifndef FUSIO_AUTH_COPENSSL_SHIM_H
#define FUSIO_AUTH_COPENSSL_SHIM_H
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#endif
