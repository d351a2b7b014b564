"""Settings of a frozen-matrix test: the ``yield_test`` protocol and its LAMMPS settings.

Split from :mod:`mechnoise.frozen_matrix.protocol` (which re-exports both names), so that the
session and the runner can share them without the protocol's loading code.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Frozen shell kept beyond the largest cutoff (sigma): the largest displacement of a block atom
#: towards the carved-away region that leaves the curve exact (tests check carved == uncarved).
SHELL_MARGIN = 1.0


@dataclass(frozen=True)
class FrozenMatrixSettings:
    """Protocol of a frozen-matrix test (config section ``yield_test`` plus LAMMPS settings).

    Attributes
    ----------
    strain_step : float
        Coarse quasi-static strain step ``δγ`` (dimensionless).
    refine_steps : int
        Bisections of each detected stress decrease (0: none).
    max_strain : float
        Strain cap: largest strain applied (a block without a drop by then is censored).
    bisect_factor : float
        Decreases above ``bisect_factor * G_local * strain_step`` are bisected.
    stop_factor : float
        The test stops after ``n_drops`` drops above ``stop_factor * G_local * strain_step``.
        Any drop rule with a factor in ``[bisect_factor, stop_factor]`` can be applied to the
        stored curve (the default covers 3.0 halved and doubled).
    n_drops : int
        Number of drops above the stop threshold after which the test ends (>= 1).
    shell : float
        Frozen shell kept around the block (sigma); ``<= 0`` keeps every atom.
    cutoffs : tuple of float
        LJ cutoffs ``(aa, ab, bb)`` (sigma_AA).
    ftol : float
        Minimizer force tolerance (eps/sigma; 2-norm of the target's forces, etol = 0).
    min_style : str
        First LAMMPS minimizer of every point; ``"auto"`` (the default, :attr:`minimizer`):
        ``hftn`` (Hessian-free truncated Newton) for the frozen matrix, ``cg`` for the thawed
        one. On the frozen matrix's ~200-atom blocks hftn converges quadratically near the
        minimum and needs ~10x fewer iterations than ``cg``, which crawls (fnorm stuck near
        0.5) in dense, strongly loaded blocks; measured side by side on the demo's snapshots
        (``benchmarks/bench_frozen_matrix.py --compare``, figures in docs/local_yield.md) it
        is faster than FIRE alone (the first default) and than ``cg`` with the FIRE fallback
        (the previous one) at every density, with the same sigma_c and drops. With the thawed
        matrix's harmonic penalty (``fix addforce`` with its energy) hftn's trust-region
        steps lost atoms (a 1600-atom demo snapshot at k = 100), so the thawed matrix keeps
        cg.
    maxiter, maxeval : int
        Limits of the first minimizer (a crawl stops at ``maxiter``).
    maxiter, maxeval : int
        Limits of the first minimizer (a cg crawl stops at ``maxiter``).
    fallback_maxiter : int
        Iteration limit of the fallback minimizer (``maxeval`` is shared).
    skin : float
        Neighbour skin (sigma).
    suffix : str
        LAMMPS accelerator suffix of the pair style (``"opt"``, ``"none"``).
    exclude_frozen_pairs : bool
        Skip frozen-frozen pairs (they never act on the target; same curve, faster).
    threshold_step : float or None
        Strain step entering the drop thresholds (default ``strain_step``); the naive
        reference protocol uses fine steps with the coarse protocol's thresholds.
    modulus_floor : float
        Lower bound of the modulus used in the thresholds (eps/sigma²), for the rare block
        whose probe slope is not positive.
    fallback_min_style : str
        Minimizer that continues a minimization that did not converge (``"auto"``: ``fire``
        after ``hftn`` or ``cg``, else ``cg``; ``"none"``: no retry, the point is only marked).
    matrix : {"frozen", "thawed"}
        The block's surroundings: ``frozen`` (forces zeroed, affine motion only; the paper) or
        ``thawed`` (tied to their affine positions by ``thawed_stiffness / 2 |r - r_aff|²``,
        Rottler, Ruscher and Sollich, J. Chem. Phys. 159, 214501, 2023;
        ``lammps_inputs/include/frozen_thawed.lmp``). A thawed matrix keeps every atom (no
        carving: the cut surface of a carved, relaxing matrix would feel its missing
        neighbours) and every matrix pair (``shell`` and ``exclude_frozen_pairs`` are not
        used).
    thawed_stiffness : float
        Stiffness ``k`` of the thawed matrix's penalty (eps/sigma²); ``k → ∞`` is the frozen
        matrix.
    """

    strain_step: float = 5e-4
    refine_steps: int = 3
    max_strain: float = 0.15
    bisect_factor: float = 1.0
    stop_factor: float = 6.0
    n_drops: int = 2
    shell: float = 2.5 + SHELL_MARGIN
    cutoffs: tuple[float, float, float] = (2.5, 2.5, 2.5)
    ftol: float = 1e-10
    min_style: str = "auto"
    maxiter: int = 2000
    fallback_maxiter: int = 100000
    maxeval: int = 1000000
    skin: float = 0.3
    suffix: str = "opt"
    exclude_frozen_pairs: bool = True
    threshold_step: float | None = None
    modulus_floor: float = 1.0
    fallback_min_style: str = "auto"
    matrix: str = "frozen"
    thawed_stiffness: float = 1.0

    def __post_init__(self) -> None:
        if self.matrix not in ("frozen", "thawed"):
            raise ValueError(f"matrix must be 'frozen' or 'thawed', got {self.matrix!r}")
        if not self.thawed_stiffness > 0:
            raise ValueError(f"thawed_stiffness must be > 0, got {self.thawed_stiffness!r}")
        if not (0 < self.strain_step < self.max_strain):
            raise ValueError(
                f"need 0 < strain_step < max_strain, got {self.strain_step}, {self.max_strain}"
            )
        if int(self.refine_steps) != self.refine_steps or self.refine_steps < 0:
            raise ValueError(f"refine_steps must be an integer >= 0, got {self.refine_steps!r}")
        if not self.ftol > 0:
            raise ValueError(f"ftol must be > 0, got {self.ftol!r}")
        if not 0 < self.bisect_factor <= self.stop_factor:
            raise ValueError(
                f"need 0 < bisect_factor <= stop_factor, got {self.bisect_factor}, "
                f"{self.stop_factor}"
            )
        if int(self.n_drops) != self.n_drops or self.n_drops < 1:
            raise ValueError(f"n_drops must be an integer >= 1, got {self.n_drops!r}")

    @property
    def minimizer(self) -> str:
        """The first minimizer: ``min_style``, or for ``"auto"`` hftn (frozen) / cg (thawed).

        Examples
        --------
        >>> FrozenMatrixSettings().minimizer, FrozenMatrixSettings(matrix="thawed").minimizer
        ('hftn', 'cg')
        """
        if self.min_style != "auto":
            return self.min_style
        return "hftn" if self.matrix == "frozen" else "cg"

    @property
    def fallback(self) -> str | None:
        """Minimizer of the retry of an unconverged minimization (None: no retry)."""
        if self.fallback_min_style == "none":
            return None
        if self.fallback_min_style == "auto":
            return "fire" if self.minimizer in ("hftn", "cg") else "cg"
        return self.fallback_min_style

    @property
    def drop_step(self) -> float:
        """Strain step of the drop thresholds (``threshold_step`` or ``strain_step``)."""
        return self.strain_step if self.threshold_step is None else float(self.threshold_step)

    @property
    def finest_step(self) -> float:
        """Strain resolution after bisection, ``strain_step / 2**refine_steps``."""
        return self.strain_step / 2**self.refine_steps
