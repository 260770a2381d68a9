# Mechanic: one image for the web process, the workers and beat.
#
#   docker build -t mechanic .                                   # CPU torch
#   docker build -t mechanic-gpu --build-arg TORCH_INDEX_URL=https://download.pytorch.org/whl/cu128 \
#       --build-arg TORCH_SPEC="torch==2.13.0" .                   # CUDA torch for GPU workers
#
# The web process never imports torch; it is installed for the workers (profiler extra).
FROM python:3.11-slim

ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ARG TORCH_SPEC="torch==2.13.0"

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MECHANIC_DATA_DIR=/data \
    STATIC_ROOT=/app/staticfiles \
    PIP_NO_CACHE_DIR=1

WORKDIR /app
RUN useradd --create-home --uid 1000 mechanic && mkdir -p /data && chown mechanic /data

# torch first, from the chosen index (CPU or a CUDA build), so the project install keeps it.
RUN pip install --index-url "${TORCH_INDEX_URL}" "${TORCH_SPEC}"
COPY pyproject.toml README.md ./
COPY mechanic ./mechanic
COPY catalog ./catalog
COPY axes ./axes
COPY profiler ./profiler
RUN pip install ".[profiler]"
COPY . .
# The Korean and German catalogs (.mo files are build outputs, not committed).
RUN python -c "import glob, polib; [polib.pofile(p).save_as_mofile(p[:-3] + '.mo') for p in glob.glob('locale/*/LC_MESSAGES/*.po')]"
# Into the image, not the /data volume: a named volume keeps the files of the image it was
# first made from, and the app serves STATIC_ROOT once it exists (compressed, see settings).
RUN DEBUG=1 python manage.py collectstatic --noinput -v 0
# The app runs from /app: compile its .pyc once here (PYTHONDONTWRITEBYTECODE stops processes
# from writing them, so without this every start would compile the sources again).
RUN python -m compileall -q mechanic catalog axes profiler manage.py

USER mechanic
EXPOSE 8000
CMD ["gunicorn", "mechanic.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
