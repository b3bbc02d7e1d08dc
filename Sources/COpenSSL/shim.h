#ifndef FUSIO_AUTH_COPENSSL_SHIM_H
#define FUSIO_AUTH_COPENSSL_SHIM_H
/* SHA256_Init/Update/Final: HMACSHA256 keeps the keyed states as plain structs (no EVP context per call). */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#endif
