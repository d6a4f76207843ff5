#include "tests/gl/GlTest.h"

#include "gl/objects/Error.h"
#include "tests/support/TestEnvironment.h"

namespace tessera::gl {

void GlTest::SetUp() {
    auto context = HeadlessContext::create();
    if (!context) {
        if (testing::running_in_ci()) {
            FAIL() << context.error().message << " (CI=true: a GL context is required)";
        }
        GTEST_SKIP() << context.error().message;
    }
    m_context.emplace(std::move(context).value());
}

void GlTest::TearDown() {
    if (m_context) {
        const auto errors = take_errors();
        EXPECT_TRUE(errors.empty()) << "pending GL errors: " << describe_errors(errors);
    }
}

}  // namespace tessera::gl
