// Nothing at all: what starting and ending a recording costs, beside the workloads whose events it records.
"use strict";
