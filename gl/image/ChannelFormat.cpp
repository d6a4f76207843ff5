#include "gl/image/ChannelFormat.h"

namespace tessera::gl {

PixelFormat channel_texture_format(core::SampleType type) {
    switch (type) {
        case core::SampleType::U8:
            return {GL_R8, GL_RED, GL_UNSIGNED_BYTE};
        case core::SampleType::U16:
            return {GL_R16, GL_RED, GL_UNSIGNED_SHORT};
        case core::SampleType::F16:
            return {GL_R16F, GL_RED, GL_HALF_FLOAT};
        case core::SampleType::U32:
        case core::SampleType::F32:
            return {GL_R32F, GL_RED, GL_FLOAT};
    }
    return {};
}

}  // namespace tessera::gl
