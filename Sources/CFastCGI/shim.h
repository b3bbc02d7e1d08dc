#ifndef FUSIO_AUTH_CFASTCGI_SHIM_H
#define FUSIO_AUTH_CFASTCGI_SHIM_H
// libfcgi's protocol definitions (record types, roles, flags, status codes, FCGI_GET_VALUES names). The record
// layer itself is Swift (Sources/FastCGI/Protocol): libfcgi's stream API reads blocking from one fd per thread,
// which cannot serve an event loop that owns every connection.
#include <fastcgi.h>
#endif
