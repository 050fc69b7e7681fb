// gnuplot-iostream (Debian: libgnuplot-iostream-dev) behind a C interface, so Swift can call it.
// gnuplot is started here (posix_spawn, so its working directory and standard error are ours to choose) and
// its standard input is handed to gnuplot-iostream's `Gnuplot` stream, which sends the script; destroying the
// stream closes gnuplot's input, and waitpid gives its exit status, which gnuplot-iostream's own pclose drops.
#include "CGnuplot.h"

#include <gnuplot-iostream.h>

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <pthread.h>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <spawn.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace {

void copy_message(const std::string &message, char *error, size_t capacity) {
    if (error == nullptr || capacity == 0) return;
    size_t n = message.size() < capacity - 1 ? message.size() : capacity - 1;
    std::memcpy(error, message.data(), n);
    error[n] = '\0';
}

std::string read_all(int fd) {
    std::string text;
    char buffer[4096];
    lseek(fd, 0, SEEK_SET);
    for (;;) {
        ssize_t n = read(fd, buffer, sizeof buffer);
        if (n > 0) { text.append(buffer, static_cast<size_t>(n)); continue; }
        if (n < 0 && errno == EINTR) continue;
        break;
    }
    return text;
}

}  // namespace

extern "C" int cgnuplot_run(const char *executable, const char *directory, const char *script, size_t script_length,
                            char *error, size_t error_capacity) {
    copy_message("", error, error_capacity);
    // gnuplot's standard error goes to an unlinked temporary file: read after it exits, it can never fill a
    // pipe and stall gnuplot while the script is still being sent.
    char error_path[] = "/tmp/.stepwise-gnuplot-XXXXXX";
    int error_fd = mkostemp(error_path, O_CLOEXEC);
    if (error_fd < 0) {
        copy_message(std::string("cannot create a file for gnuplot's messages: ") + std::strerror(errno), error, error_capacity);
        return -1;
    }
    unlink(error_path);
    int input[2];
    if (pipe2(input, O_CLOEXEC) != 0) {
        copy_message(std::string("cannot create a pipe: ") + std::strerror(errno), error, error_capacity);
        close(error_fd);
        return -1;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, input[0], STDIN_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, error_fd, STDERR_FILENO);
    posix_spawn_file_actions_addchdir_np(&actions, directory);
    char *argv[] = {const_cast<char *>(executable), nullptr};
    pid_t pid = 0;
    int spawned = posix_spawn(&pid, executable, &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(input[0]);
    if (spawned != 0) {
        copy_message(std::string("cannot start ") + executable + ": " + std::strerror(spawned), error, error_capacity);
        close(input[1]);
        close(error_fd);
        return -1;
    }

    // A gnuplot that exits early must not kill us with SIGPIPE: block it on this thread while sending, and
    // consume one that arrived.
    sigset_t pipe_signal, previous;
    sigemptyset(&pipe_signal);
    sigaddset(&pipe_signal, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_signal, &previous);
    bool sent = false;
    std::string send_error;
    FILE *stream = fdopen(input[1], "w");
    if (stream == nullptr) {
        send_error = std::string("cannot open gnuplot's input: ") + std::strerror(errno);
        close(input[1]);
    } else {
        try {
            Gnuplot gp(stream);   // closes `stream` (gnuplot's input) when it goes out of scope
            gp.write(script, static_cast<std::streamsize>(script_length));
            gp << std::flush;
            sent = static_cast<bool>(gp);
        } catch (const std::exception &e) {
            send_error = e.what();
        }
    }
    struct timespec zero = {0, 0};
    while (sigtimedwait(&pipe_signal, nullptr, &zero) > 0) {}
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);

    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    std::string messages = read_all(error_fd);
    close(error_fd);
    while (!messages.empty() && (messages.back() == '\n' || messages.back() == ' ')) messages.pop_back();
    messages.erase(0, messages.find_first_not_of(" \n"));
    if (!sent && messages.empty()) {
        messages = send_error.empty() ? "the script could not be sent completely" : send_error;
    }
    copy_message(messages, error, error_capacity);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
    return (code == 0 && !sent) ? 1 : code;
}
