#ifndef FUSIO_AUTH_CFASTCGI_SHIM_H
#define FUSIO_AUTH_CFASTCGI_SHIM_H
#include <fcgiapp.h>
#endif
