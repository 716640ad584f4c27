// `memtrace detach PID`: asks the memtrace attach that records PID to stop, and waits until its capture is written.
import { connect } from "node:net";
import { readSession } from "./session";
import { AttachError } from "./target-process";

/** Returns the capture's name once written. */
export function detach(pid: number): Promise<string> {
  const note = readSession(pid);
  if (!note) throw new AttachError(`no memtrace attach is recording process ${pid}`);
  return new Promise((resolve, reject) => {
    let answer = "";
    const socket = connect(note.control, () => socket.write("detach\n"));
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (answer += chunk));
    socket.on("error", (e) =>
      reject(new AttachError(`cannot reach the memtrace attach of process ${pid}: ${e.message}`)),
    );
    socket.on("close", () => resolve(answer.trim() || note.output));
  });
}
