# Runs EXE and checks its exit code, stderr and stdout (ctest helper for
# programs that must fail in a specific way, e.g. the bounded-FIFO deadlock
# report, or print a specific figure, e.g. the timed simulation's cycles).
#   cmake -DEXE=path -DEXPECT_RC=3 "-DEXPECT_STDERR=re1;re2" ["-DEXPECT_STDOUT=re3"] -P check_exit.cmake
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
foreach(re IN LISTS EXPECT_STDOUT)
  if(NOT out MATCHES "${re}")
    message(FATAL_ERROR "${EXE}: stdout does not match '${re}'\nstdout:\n${out}")
  endif()
endforeach()
message("ok: exit status ${rc}, stderr and stdout match")
