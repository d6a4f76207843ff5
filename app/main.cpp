// tessera: the GPU image inspector. Everything but main() lives in the tessera_app library.
#include "app/cli/Program.h"

int main(int argc, char** argv) {
    return tessera::app::run_tessera(argc, argv);
}
