package main

// Test hook: lets the Go tests (which cannot use cgo themselves) drive the
// C-side receiver tsshim_accept from accept.c.

/*
#include <stdlib.h>
#include "tsshim.h"
*/
import "C"

import "unsafe"

// acceptViaC calls tsshim_accept on fd.
func acceptViaC(fd, timeoutMs int) (connFd int, flags uint, remote string, rc int, msg string) {
	addr := (*C.char)(C.malloc(256))
	errbuf := (*C.char)(C.malloc(256))
	defer C.free(unsafe.Pointer(addr))
	defer C.free(unsafe.Pointer(errbuf))
	var cfd C.int
	var cflags C.uint
	r := C.tsshim_accept(C.int(fd), C.int(timeoutMs), &cfd, &cflags, addr, 256, errbuf, 256)
	return int(cfd), uint(cflags), C.GoString(addr), int(r), C.GoString(errbuf)
}
