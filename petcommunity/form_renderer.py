"""Form widgets rendered through Jinja2, with the Django template language for what only it has.

A widget renders through a template of its own (an input, its attributes, a select's options), so a form
of seven fields is some thirty template renders. Django ships Jinja2 copies of all of its form and widget
templates, which render the same HTML three to four times faster: the search page's filter form went
from 7.5 to 2.6 ms in-process, the composer from 6.1 to 4.0 ms (bench/RESULTS.md). Templates that exist
only for the Django template language (the admin's widgets) still render there.
"""

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class FormRenderer(BaseRenderer):
    def __init__(self):
        self._jinja2 = Jinja2()
        self._django = DjangoTemplates()
        self._django_only: set[str] = set()  # names Jinja2 has no copy of, so it is asked once per process

    def get_template(self, template_name):
        if template_name not in self._django_only:
            try:
                return self._jinja2.get_template(template_name)
            except TemplateDoesNotExist:
                self._django_only.add(template_name)
        return self._django.get_template(template_name)
