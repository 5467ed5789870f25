# Build lwIP's core from Debian's lwIP 2.1.3 source (tests/setup-sources.sh
# unpacks it; never committed). Include this file, then call
#
#   ccat_lwip_add_core(<target> OPTS_DIR <dir with lwipopts.h>
#                      [ARCH_DIR <dir with arch/cc.h>] [SYS])
#
# <target> is a static library of lwIP's core, IPv4/IPv6, Ethernet and, with
# SYS, the sequential APIs (tcpip thread, netconn, sockets). ARCH_DIR defaults
# to Debian's Unix port (port/include: arch/cc.h, arch/sys_arch.h); a board
# passes its own. SYS also compiles Debian's port/sys_arch.c (pthreads), so
# it is for the host only; an RTOS board adds its own sys_arch.c.
# lwIP is third-party code: compiled without our warning flags (-w).
# (lwIP's Filelists.cmake prints "Doxygen needs to be installed..." at
# configure time; that is lwIP's documentation target, harmless.)

include_guard(GLOBAL) # lwIP's Filelists.cmake defines targets: include it once

set(CCAT_LWIP_DIR "${CMAKE_CURRENT_LIST_DIR}/../../.cache/sources/lwip" CACHE PATH
    "Unpacked Debian lwIP 2.1.3 source (tests/setup-sources.sh)")
get_filename_component(CCAT_LWIP_DIR "${CCAT_LWIP_DIR}" ABSOLUTE)
if(NOT EXISTS "${CCAT_LWIP_DIR}/src/Filelists.cmake")
  message(FATAL_ERROR
    "lwIP source not found in CCAT_LWIP_DIR=${CCAT_LWIP_DIR}.\n"
    "Run tests/setup-sources.sh (unpacks Debian's lwip source package there), "
    "or set -DCCAT_LWIP_DIR=<unpacked lwip-2.1.3>.")
endif()
set(LWIP_DIR "${CCAT_LWIP_DIR}")
include("${CCAT_LWIP_DIR}/src/Filelists.cmake")

function(ccat_lwip_add_core target)
  cmake_parse_arguments(A "SYS" "OPTS_DIR;ARCH_DIR" "" ${ARGN})
  set(unix_port OFF)
  if(NOT A_ARCH_DIR)
    set(A_ARCH_DIR "${CCAT_LWIP_DIR}/port/include")
    set(unix_port ON)
  endif()
  set(srcs ${lwipcore_SRCS} ${lwipcore4_SRCS} ${lwipcore6_SRCS} "${CCAT_LWIP_DIR}/src/netif/ethernet.c")
  if(A_SYS)
    list(APPEND srcs ${lwipapi_SRCS} "${CCAT_LWIP_DIR}/port/sys_arch.c")
  endif()
  add_library(${target} STATIC ${srcs})
  target_include_directories(${target} SYSTEM PUBLIC
    "${A_OPTS_DIR}" "${CCAT_LWIP_DIR}/src/include" "${A_ARCH_DIR}")
  target_compile_options(${target} PRIVATE -w)
  if(unix_port)
    # Debian's arch/cc.h pulls in <sys/types.h>: ssize_t comes from POSIX,
    # and lwIP's arch.h must see SSIZE_MAX in <limits.h> not to define its own.
    target_compile_definitions(${target} PUBLIC _POSIX_C_SOURCE=200809L)
  endif()
  # lwIP's own C is C99-era; strict C11 hides some POSIX prototypes it uses.
  set_target_properties(${target} PROPERTIES C_EXTENSIONS ON)
  if(A_SYS)
    find_package(Threads REQUIRED)
    target_link_libraries(${target} PUBLIC Threads::Threads)
  endif()
endfunction()
