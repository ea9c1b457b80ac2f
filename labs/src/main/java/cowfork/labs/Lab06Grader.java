// Lab 06's grader: chapter 06's respawn contract against the student's policy, with real servers whose master runs it.
package cowfork.labs;

import cowfork.server.lab.LabBackoff;
import cowfork.server.master.RespawnPolicy;
import cowfork.server.master.RespawnPolicyContract;
import cowfork.server.tools.ServerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Grades {@link LabBackoff} with every property and server test of {@link RespawnPolicyContract},
 * the ones the master's own policy passes. The servers it starts find the student's class
 * through {@code META-INF/services/cowfork.server.master.RespawnPolicy}, in a directory put
 * first on their class path for this grader only: their master runs the student's policy.
 */
public class Lab06Grader extends RespawnPolicyContract {
    private static Path services;

    @Override
    protected RespawnPolicy newPolicy() {
        return new LabBackoff();
    }

    @Override
    protected ServerProcess startServer(Consumer<String> echo, String... args) {
        return ServerProcess.startWithoutWaiting(List.of(servicesDirectory()), echo, args);
    }

    /** A directory whose only file registers the student's class as the master's respawn policy. */
    private static synchronized Path servicesDirectory() {
        if (services == null) {
            try {
                Path dir = Files.createTempDirectory("cowfork-lab06-services");
                Path file = Files.createDirectories(dir.resolve("META-INF/services")).resolve(RespawnPolicy.class.getName());
                Files.writeString(file, LabBackoff.class.getName() + "\n", StandardCharsets.UTF_8);
                dir.toFile().deleteOnExit();
                file.getParent().toFile().deleteOnExit();
                file.getParent().getParent().toFile().deleteOnExit();
                file.toFile().deleteOnExit();
                services = dir;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the respawn policy's service file", e);
            }
        }
        return services;
    }
}
