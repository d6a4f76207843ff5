# Installs the build into PREFIX and checks what an application needs is where desktops look.
file(REMOVE_RECURSE "${PREFIX}")
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}"
                RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "cmake --install failed:\n${output}")
endif()
foreach(path bin/tessera share/applications/tessera.desktop
             share/icons/hicolor/scalable/apps/tessera.svg share/mime/packages/tessera-npy.xml)
  if(NOT EXISTS "${PREFIX}/${path}")
    message(FATAL_ERROR "not installed: ${path}")
  endif()
endforeach()
execute_process(COMMAND "${PREFIX}/bin/tessera" --version RESULT_VARIABLE result
                OUTPUT_VARIABLE version)
if(NOT result EQUAL 0 OR NOT version MATCHES "^tessera [0-9]")
  message(FATAL_ERROR "the installed tessera does not run: ${version}")
endif()
file(READ "${PREFIX}/share/applications/tessera.desktop" entry)
foreach(line "Type=Application" "Exec=tessera %F" "Icon=tessera" "image/x-exr;" "image/tiff;"
             "application/x-npy;")
  string(FIND "${entry}" "${line}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "the desktop entry lacks '${line}'")
  endif()
endforeach()
find_program(DESKTOP_FILE_VALIDATE desktop-file-validate)
if(DESKTOP_FILE_VALIDATE)
  execute_process(COMMAND "${DESKTOP_FILE_VALIDATE}"
                          "${PREFIX}/share/applications/tessera.desktop"
                  RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "desktop-file-validate: ${output}")
  endif()
endif()
