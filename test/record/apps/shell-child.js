// Runs a shell that outlives the recorder's first flush and ends the way dash does, with _exit.
"use strict";
const { execFileSync } = require("node:child_process");
process.stdout.write(execFileSync("/bin/sh", ["-c", "sleep 0.3; echo shell done"]));
