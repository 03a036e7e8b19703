# Fails when a checked-in generated doc differs from what the build made.
# GENERATED and CHECKED_IN are matching lists of files.
list(LENGTH GENERATED count)
math(EXPR last "${count} - 1")
foreach(i RANGE ${last})
  list(GET GENERATED ${i} generated)
  list(GET CHECKED_IN ${i} checked_in)
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files
                          ${generated} ${checked_in}
                  RESULT_VARIABLE differs)
  if(differs)
    message(FATAL_ERROR "${checked_in} is stale: run `make docs` and commit it")
  endif()
  message(STATUS "${checked_in} is up to date")
endforeach()
