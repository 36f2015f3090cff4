"""The one exception the command line turns into exit code 3."""


class EnvironmentProblem(Exception):
    """The engine cannot be used; ``summary`` says why, ``advice`` what to do."""

    def __init__(self, summary: str, advice: str) -> None:
        super().__init__(summary)
        self.summary = summary
        self.advice = advice


def unreachable(where: str) -> EnvironmentProblem:
    return EnvironmentProblem(
        f"Cannot reach the Docker Engine at {where}.",
        "Start Docker Desktop, or the engine (`sudo systemctl start docker`), then run `labcheck doctor`.")


def permission_denied(socket_path: str) -> EnvironmentProblem:
    return EnvironmentProblem(
        f"Permission denied on the Docker socket {socket_path}.",
        "Add yourself to the docker group (`sudo usermod -aG docker $USER`, then log out and in), "
        "or use Docker Desktop / rootless Docker, and try again.")


def too_slow(where: str, timeout: float) -> EnvironmentProblem:
    return EnvironmentProblem(
        f"The Docker Engine at {where} did not answer within {timeout:g} s.",
        "Check that Docker is not stuck (`docker info`), restart Docker Desktop or the docker "
        "service, or raise the limit with LABCHECK_TIMEOUT=SECONDS.")


def engine_gone() -> EnvironmentProblem:
    return EnvironmentProblem("The Docker Engine stopped answering while grading.",
                              "Check that Docker is still running (`docker info`), then grade again.")
