// Challenge 01, your file: count a process's threads from /proc.
package cowfork.fork.challenges;

/** The code you write for {@link OneThreadChallenge}. Its reference answer lives in src/solutions/java. */
final class Threads {
    private Threads() {}

    /**
     * YOUR CODE HERE: the number of threads process {@code pid} has now.
     *
     * @throws IllegalStateException if the process does not exist (or /proc cannot be read)
     */
    static int count(int pid) {
        throw new UnsupportedOperationException("challenge 01: count the entries of /proc/" + pid + "/task");
    }
}
