// The launcher names the entry point by a string (it sits in a package below it); the string must stay the class's name.
package cowfork.server;

import static org.assertj.core.api.Assertions.assertThat;

import cowfork.server.tools.ServerLauncher;
import org.junit.jupiter.api.Test;

class ServerLauncherNameTest {
    @Test
    void theLaunchersClassNameIsServes() {
        assertThat(ServerLauncher.SERVE).isEqualTo(Serve.class.getName());
    }
}
