# Runs EXE and checks its exit code and stderr (ctest helper for programs
# that must fail in a specific way, e.g. the bounded-FIFO deadlock report).
#   cmake -DEXE=path -DEXPECT_RC=3 "-DEXPECT_STDERR=re1;re2" -P check_exit.cmake
execute_process(COMMAND ${EXE} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err
                TIMEOUT 60)
message("${err}")
if(NOT "${rc}" STREQUAL "${EXPECT_RC}")
  message(FATAL_ERROR "${EXE}: exit status '${rc}', expected ${EXPECT_RC}\nstdout:\n${out}")
endif()
foreach(re IN LISTS EXPECT_STDERR)
  if(NOT err MATCHES "${re}")
    message(FATAL_ERROR "${EXE}: stderr does not match '${re}'")
  endif()
endforeach()
message("ok: exit status ${rc}, stderr matches")
