# CMake toolchain file for bare-metal Arm Cortex-M with Debian's
# gcc-arm-none-eabi and newlib (libnewlib-arm-none-eabi).
#
#   cmake -S boards/qemu-mps2-an385 -B build-fw \
#         -DCMAKE_TOOLCHAIN_FILE=cmake/arm-none-eabi.cmake
#
# The CPU flags (-mcpu=...) belong to the board's CMakeLists.txt, not here,
# so that one toolchain file serves every Cortex-M board.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_ASM_COMPILER arm-none-eabi-gcc)
set(CMAKE_OBJCOPY arm-none-eabi-objcopy CACHE FILEPATH "objcopy")
set(CMAKE_SIZE arm-none-eabi-size CACHE FILEPATH "size")
# No host system to run test executables on: try_compile builds a library.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
# Headers and libraries come from the cross toolchain only, never /usr/include.
set(CMAKE_FIND_ROOT_PATH /usr/lib/arm-none-eabi)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
