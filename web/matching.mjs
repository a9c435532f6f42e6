// Progress of a dataset import, shown while the import request runs: the form is submitted as
// usual (the page works without this script), and this page asks the server how far it has got.
const form = document.querySelector('form[data-progress]')
if (form) {
  const box = form.querySelector('.achilles-progress')
  const bar = form.querySelector('progress')
  const text = form.querySelector('[data-progress-text]')
  form.addEventListener('submit', () => {
    box.hidden = false
    const poll = async () => {
      try {
        const res = await fetch(form.dataset.progress, { credentials: 'same-origin', cache: 'no-store' })
        const p = await res.json()
        if (p.total > 0) {
          const share = Math.round((p.done / p.total) * 100)
          bar.value = share
          bar.textContent = `${share}%`
          text.textContent = p.stage === 'importing' ? `${p.done.toLocaleString('en-GB')} of ${p.total.toLocaleString('en-GB')} records imported` : 'Checking the file'
        }
      } catch {
        // The page is moving on to the import's answer.
      }
      setTimeout(poll, 400)
    }
    setTimeout(poll, 200)
  })
}
