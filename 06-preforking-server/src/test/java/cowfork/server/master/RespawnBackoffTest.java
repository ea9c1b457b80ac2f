// The crash-loop brake: the master's own policy against the respawn contract, with a real server.
package cowfork.server.master;

import cowfork.server.tools.ServerProcess;
import java.util.function.Consumer;

class RespawnBackoffTest extends RespawnPolicyContract {
    @Override
    protected RespawnPolicy newPolicy() {
        return new RespawnBackoff();
    }

    /** No policy is registered for the tests: the master uses its own. */
    @Override
    protected ServerProcess startServer(Consumer<String> echo, String... args) {
        return ServerProcess.startWithoutWaiting(echo, args);
    }
}
