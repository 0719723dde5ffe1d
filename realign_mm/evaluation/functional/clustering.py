"""Clustering of per-frame embeddings into K key steps. Plain numpy."""
import numpy as np

__all__ = ['l2_normalize', 'kmeans', 'fuzzy_cmeans', 'spectral_clustering']


def l2_normalize(x: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    """Rows of ``x`` scaled to unit L2 norm."""
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), eps)


def _sq_dists(x: np.ndarray, centers: np.ndarray) -> np.ndarray:
    d = ((x * x).sum(1)[:, None] + (centers * centers).sum(1)[None] -
         2 * x @ centers.T)
    return np.maximum(d, 0)


def _kmeans_pp(x: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """k-means++ seeding (Arthur & Vassilvitskii, 2007)."""
    centers = [x[rng.integers(len(x))]]
    for _ in range(1, k):
        d = _sq_dists(x, np.stack(centers)).min(1)
        total = d.sum()
        probs = d / total if total > 0 else np.full(len(x), 1 / len(x))
        centers.append(x[rng.choice(len(x), p=probs)])
    return np.stack(centers)


def kmeans(x: np.ndarray, k: int, seed: int = 0, n_iter: int = 100,
           n_init: int = 4) -> np.ndarray:
    """Lloyd's k-means with k-means++ seeding; best of ``n_init`` runs.

    Args:
        x (np.ndarray): ``(T, d)`` points.
        k (int): number of clusters (capped at ``T``).
        seed (int): random seed.

    Returns:
        np.ndarray: ``(T,)`` cluster ids in ``[0, k)``.
    """
    if len(x) == 0:
        return np.zeros(0, dtype=np.int64)
    k = min(k, len(x))
    rng = np.random.default_rng(seed)
    best_labels, best_inertia = None, np.inf
    for _ in range(n_init):
        centers = _kmeans_pp(x, k, rng)
        for _ in range(n_iter):
            labels = _sq_dists(x, centers).argmin(1)
            counts = np.bincount(labels, minlength=k)
            sums = np.zeros_like(centers)
            np.add.at(sums, labels, x)
            new = np.where(counts[:, None] > 0,
                           sums / np.maximum(counts, 1)[:, None], centers)
            if np.allclose(new, centers):
                break
            centers = new
        inertia = _sq_dists(x, centers).min(1).sum()
        if inertia < best_inertia:
            best_labels, best_inertia = labels, inertia
    return best_labels


def fuzzy_cmeans(x: np.ndarray,
                 k: int,
                 fuzziness: float = 1.1,
                 seed: int = 0,
                 n_iter: int = 150,
                 tol: float = 1e-6) -> np.ndarray:
    """Fuzzy c-means memberships (Bezdek, 1981), vectorised.

    .. math::
        u_{tk} = \\Big(\\sum_j (d_{tk} / d_{tj})^{2/(m-1)}\\Big)^{-1},
        \\quad c_k = \\frac{\\sum_t u_{tk}^m x_t}{\\sum_t u_{tk}^m}

    Args:
        x (np.ndarray): ``(T, d)`` points.
        k (int): number of clusters.
        fuzziness (float): ``m > 1``. Defaults to 1.1: on 64-128-d
            L2-normalised embeddings the textbook ``m = 2`` (and already
            ``m = 1.25``) gives near-uniform memberships (measured on the
            synthetic default: mean max-membership 1/K).
        seed (int): seed of the k-means++ initial centres.

    Returns:
        np.ndarray: ``(T, k)`` memberships, rows summing to 1.
    """
    if fuzziness <= 1:
        raise ValueError(f'fuzziness must be > 1, got {fuzziness}')
    k = min(k, len(x))
    rng = np.random.default_rng(seed)
    centers = _kmeans_pp(x, k, rng)
    power = 1.0 / (fuzziness - 1)
    u = None
    for _ in range(n_iter):
        # u_tk = softmax_k(-power * log d_tk): stable for any fuzziness
        log_d = np.log(_sq_dists(x, centers) + 1e-12)
        z = -power * log_d
        z -= z.max(1, keepdims=True)
        new_u = np.exp(z)
        new_u /= new_u.sum(1, keepdims=True)
        w = new_u**fuzziness
        centers = (w.T @ x) / w.sum(0)[:, None]
        if u is not None and np.abs(new_u - u).max() < tol:
            u = new_u
            break
        u = new_u
    return u


def spectral_clustering(x: np.ndarray,
                        k: int,
                        n_neighbors: int = 10,
                        seed: int = 0) -> np.ndarray:
    """Normalised spectral clustering (Ng, Jordan & Weiss, 2001).

    A symmetric k-nearest-neighbour graph with Gaussian weights (bandwidth:
    the median neighbour distance), the ``k`` leading eigenvectors of
    ``D^-1/2 W D^-1/2`` (sparse ``eigsh``), rows normalised, then k-means.

    Args:
        x (np.ndarray): ``(T, d)`` points.
        k (int): number of clusters (capped at ``T``).
        n_neighbors (int): graph degree. Defaults to 10.
        seed (int): seed of the eigensolver start and of k-means.

    Returns:
        np.ndarray: ``(T,)`` cluster ids in ``[0, k)``.
    """
    from scipy.sparse import coo_matrix, diags
    from scipy.sparse.linalg import eigsh
    n = len(x)
    k = min(k, n)
    if n <= k + 1:
        return kmeans(x, k, seed=seed)
    nn = min(n_neighbors, n - 1)
    d = _sq_dists(x, x)
    np.fill_diagonal(d, np.inf)
    idx = np.argpartition(d, nn - 1, axis=1)[:, :nn]  # (T, nn)
    dist = np.take_along_axis(d, idx, 1)
    bandwidth = max(float(np.median(dist)), 1e-12)
    rows = np.repeat(np.arange(n), nn)
    w = coo_matrix((np.exp(-dist.ravel() / bandwidth), (rows, idx.ravel())),
                   shape=(n, n)).tocsr()
    w = w.maximum(w.T)  # symmetric kNN graph
    deg = np.asarray(w.sum(1)).ravel()
    scale = diags(1.0 / np.sqrt(np.maximum(deg, 1e-12)))
    rng = np.random.default_rng(seed)
    _, vecs = eigsh(scale @ w @ scale, k=k, which='LA',
                    v0=rng.standard_normal(n))
    return kmeans(l2_normalize(vecs), k, seed=seed)
