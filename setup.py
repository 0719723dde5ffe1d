"""realign_mm: REALIGN procedure learning as an mmaction2 plugin."""
import os.path as osp

from setuptools import find_packages, setup


def read_version() -> str:
    scope: dict = {}
    with open(osp.join('realign_mm', 'version.py')) as f:
        exec(f.read(), scope)
    return scope['__version__']


def read_requirements(name: str) -> list:
    with open(osp.join('requirements', name)) as f:
        return [
            line.split('#')[0].strip() for line in f
            if line.split('#')[0].strip()
        ]


setup(
    name='realign_mm',
    version=read_version(),
    description='REALIGN: unsupervised procedure learning with regularized '
    'fused partial Gromov-Wasserstein alignment, for mmaction2',
    long_description=open('README.md').read(),
    long_description_content_type='text/markdown',
    packages=find_packages(include=['realign_mm', 'realign_mm.*']),
    python_requires='>=3.10',
    # mmaction2 itself is installed with --no-deps (see README)
    install_requires=read_requirements('runtime.txt'),
    extras_require=dict(tests=read_requirements('tests.txt')),
    license='Apache-2.0',
    zip_safe=False)
