// Fuzzing builds compile stb_image from Debian's header here, so that the sanitizers and
// libFuzzer's coverage see inside it; every other build links Debian's libstb, which already
// holds this implementation.
#define STB_IMAGE_IMPLEMENTATION
#include <stb_image.h>
