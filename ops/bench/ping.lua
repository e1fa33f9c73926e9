-- GET as given on the command line.
dofile(os.getenv("HC_BENCH_LUA") .. "/report.lua")
